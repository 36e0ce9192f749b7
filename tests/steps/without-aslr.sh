#!/usr/bin/env bash
# Runs its arguments without address randomisation when the machine allows it (not a step: the
# sanitizer and fuzz steps call it). ThreadSanitizer cannot map its shadow memory under some
# kernels' randomisation; setarch -R turns it off for the process and its children.
if setarch "$(uname -m)" -R true 2>/dev/null; then exec setarch "$(uname -m)" -R "$@"; fi
exec "$@"
