/**
 * Text PostgreSQL can store: no NUL and no lone UTF-16 surrogate (it refuses both, and a write
 * would fail with a 500). Every free-text field is checked with this at the boundary.
 */
export const STORABLE = /^[^\u0000\uD800-\uDFFF]*(?:(?:[\uD800-\uDBFF][\uDC00-\uDFFF])[^\u0000\uD800-\uDFFF]*)*$/;
export const UNSTORABLE_MESSAGE = "Remove the control or unpaired characters";
