#!/bin/sh
# The QA agent's chaos hook (`sh resilience.sh`): simulates an inventory outage against the
# checkout code and exits non-zero when checkout does not degrade gracefully.
set -eu
cd "$(dirname "$0")"
exec node chaos/inventory-outage.mjs
