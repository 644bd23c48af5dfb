/* log.h — structured log lines on stderr: time, level, function, message. */
#ifndef CARNET_LOG_H
#define CARNET_LOG_H

void log_line(const char *level, const char *fn, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define log_info(fn, ...) log_line("info", fn, __VA_ARGS__)
#define log_warn(fn, ...) log_line("warn", fn, __VA_ARGS__)
#define log_error(fn, ...) log_line("error", fn, __VA_ARGS__)
/* One request, as one line: ts=… level=info fn=access method=… route="…"
 * status=… ms=… — the route's pattern ("/messagerie/fils/{id}"), never the
 * path itself nor anything of the person (the audit table is for that). */
void log_access(const char *method, const char *route, int status, double ms);
/* Silence info lines (tests, benchmarks). */
void log_set_quiet(int quiet);

#endif
