/*
 * Debian 13's libswiftObservation.so needs swift::threading::fatal(char const*, ...), which no
 * library in the swiftlang package exports, so a program using @Observable fails to link. This
 * provides it (the mangled C++ name) for memtier's tests on Linux only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void _ZN5swift9threading5fatalEPKcz(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  abort();
}
