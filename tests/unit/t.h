/*
 * t.h: the unit-test harness.  Each tests/unit/test_*.c is its own program;
 * it prints one line per check, "ok - name" / "not ok - name: why" /
 * "skip - name: why", and tests/run adds them up.  T_DONE() returns the
 * exit status (1 if any check failed).
 */
#ifndef BQ_T_H
#define BQ_T_H

#include <stdio.h>
#include <string.h>

static int t_failed, t_passed;

#define T_OK(cond, ...) do { \
	if (cond) { t_passed++; printf("ok - "); printf(__VA_ARGS__); printf("\n"); } \
	else { t_failed++; printf("not ok - "); printf(__VA_ARGS__); \
	       printf(" (%s:%d: %s)\n", __FILE__, __LINE__, #cond); } \
	fflush(stdout); } while (0)

#define T_STREQ(got, want, ...) do { \
	const char *t_g_ = (got), *t_w_ = (want); \
	int t_ok_ = t_g_ && t_w_ && strcmp(t_g_, t_w_) == 0; \
	if (t_ok_) { t_passed++; printf("ok - "); printf(__VA_ARGS__); printf("\n"); } \
	else { t_failed++; printf("not ok - "); printf(__VA_ARGS__); \
	       printf(" (%s:%d)\n#   got:  [%s]\n#   want: [%s]\n", __FILE__, __LINE__, \
		      t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)"); } \
	fflush(stdout); } while (0)

#define T_SKIP(...) do { printf("skip - "); printf(__VA_ARGS__); printf("\n"); \
	fflush(stdout); } while (0)

#define T_DONE() (t_failed ? 1 : 0)

#endif
