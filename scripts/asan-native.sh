#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer and runs the native tests and
# the backend parity table against that build. The ASan build lives in build/asan/ (a package root of its own for
# loadNativeKernels: build/asan/build/Release/rnnkit.node), so build/Release/rnnkit.node is untouched.
# Usage: scripts/asan-native.sh [extra jest args]
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD/build/asan"
npx cmake-js compile --release --out "$root/build" --CDRNNKIT_ASAN=ON

# node is not built with ASan, so the runtime must be preloaded to come first. Leak checking is
# off because node itself does not free everything at exit. UBSan findings abort the run.
libasan="$(g++ -print-file-name=libasan.so)"
export RNNKIT_NATIVE_ROOT="$root"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
LD_PRELOAD="$libasan" node node_modules/jest/bin/jest.js --runInBand --no-cache test/kernels test/backend-parity.test.ts "$@"
