#!/bin/sh
# The QA agent's test command (`sh run-tests.sh`). Writes reports/junit.xml and reports/lcov.info
# and streams the spec reporter to stdout for the live log. Uses the `node` found on PATH.
set -eu
cd "$(dirname "$0")"
rm -rf reports
mkdir -p reports
# Three reporters trip Node's listener-count warning; it says nothing about the tests.
exec node --disable-warning=MaxListenersExceededWarning --test --experimental-test-coverage \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination=reports/junit.xml \
  --test-reporter=lcov --test-reporter-destination=reports/lcov.info \
  test/
