/* timeexpr: every form of interface.md section 2, compounds, zones, and
 * errors that name the offending text.  "now" is pinned. */
#include "t.h"
#include "timeexpr.h"

#include <stdint.h>

#define NOW INT64_C(1795694400000) /* 2026-11-26T12:00:00Z */
#define S INT64_C(1000)
#define MIN (60 * S)
#define H (60 * MIN)
#define D (24 * H)

static const struct {
	const char *in;
	int64_t want;
} good[] = {
	{ "now", NOW },
	{ "90s", NOW - 90 * S },
	{ "15m", NOW - 15 * MIN },
	{ "6h", NOW - 6 * H },
	{ "7d", NOW - 7 * D },
	{ "2w", NOW - 14 * D },
	{ "1h30m", NOW - 90 * MIN },
	{ "1d12h", NOW - 36 * H },
	{ "1w2d3h4m5s", NOW - (9 * D + 3 * H + 4 * MIN + 5 * S) },
	{ "250ms", NOW - 250 },
	{ "1m30s", NOW - 90 * S },
	{ "0s", NOW },
	{ "2026-11-26T10:00:00Z", INT64_C(1795687200000) },
	{ "2026-11-26t10:00:00z", INT64_C(1795687200000) },
	{ "2026-11-26 10:00:00Z", INT64_C(1795687200000) },
	{ "2026-11-26T10:00:00+01:00", INT64_C(1795687200000) - H },
	{ "2026-11-26T10:00:00-05:30", INT64_C(1795687200000) + 5 * H + 30 * MIN },
	{ "2026-11-26T10:00:00+0100", INT64_C(1795687200000) - H },
	{ "2026-11-26T10:00:00+01", INT64_C(1795687200000) - H },
	{ "2026-11-26T10:00:00.5Z", INT64_C(1795687200500) },
	{ "2026-11-26T10:00:00.123456789Z", INT64_C(1795687200123) },
	{ "2026-11-26T10:00:00,250Z", INT64_C(1795687200250) },
	{ "2026-11-26T10:00:00.250+01:00", INT64_C(1795687200250) - H },
	{ "2026-11-26T10:00Z", INT64_C(1795687200000) },
	{ "2026-11-26T10:00:00", INT64_C(1795687200000) },
	{ "2026-11-26", INT64_C(1795651200000) },
	{ "2024-02-29", INT64_C(1709164800000) },
	{ "2000-03-01T00:00:00Z", INT64_C(951868800000) },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1969-12-31T23:59:59Z", -S },
	{ "9999-12-31T23:59:59Z", INT64_C(253402300799000) },
	{ "0001-01-01T00:00:00Z", INT64_C(-62135596800000) },
	{ "2026-11-26T23:59:60Z", INT64_C(1795651200000) + D },
	{ "@1700000000", INT64_C(1700000000000) },
	{ "@1700000000.5", INT64_C(1700000000500) },
	{ "@0", 0 },
	{ "@-1", -S },
	{ "@+5", 5 * S },
};

static const struct {
	const char *in;
	const char *msg;
} bad[] = {
	{ "", "empty time expression" },
	{ "yesterday", "bad time expression 'yesterday' (use now" },
	{ "90", "bad time expression '90': missing unit" },
	{ "3x", "bad time expression '3x': unknown unit 'x'" },
	{ "1mo", "bad time expression '1mo': unknown unit 'mo'" },
	{ "30m1h", "bad time expression '30m1h': units must go from largest" },
	{ "1h1h", "bad time expression '1h1h': units must go from largest" },
	{ "-5m", "bad time expression '-5m'" },
	{ " 5m", "bad time expression ' 5m'" },
	{ "5m ", "bad time expression '5m ': unexpected text ' '" },
	{ "Now", "bad time expression 'Now'" },
	{ "2026-13-01", "bad time expression '2026-13-01': month out of range" },
	{ "2026-02-29", "bad time expression '2026-02-29': day out of range" },
	{ "2026-11-31", "bad time expression '2026-11-31': day out of range" },
	{ "2026-11-26T24:00:00Z", "bad time expression '2026-11-26T24:00:00Z': time of day out of range" },
	{ "2026-11-26T10:60Z", "time of day out of range" },
	{ "2026-11-26T10", "bad time expression '2026-11-26T10': expected a time" },
	{ "2026-11-26T10:00:00+25:00", "zone offset out of range" },
	{ "2026-11-26T10:00:00+1", "expected a zone offset" },
	{ "2026-11-26T10:00:00.Z", "expected digits after the decimal point" },
	{ "2026-11-26T10:00:00Zjunk", "bad time expression '2026-11-26T10:00:00Zjunk': unexpected text" },
	{ "2026-1-26", "bad time expression '2026-1-26': expected a date" },
	{ "2026-11-26Z", "bad time expression '2026-11-26Z': unexpected text" },
	{ "@", "bad time expression '@': expected seconds" },
	{ "@12x", "bad time expression '@12x': expected seconds" },
	{ "@99999999999999999999", "bad time expression '@99999999999999999999': out of range" },
	{ "99999999999999999999s", "bad time expression '99999999999999999999s': out of range" },
	{ "9999999999w", "bad time expression '9999999999w': out of range" },
};

int main(void)
{
	size_t i;
	char buf[BQ_TIME_BUFSZ];
	int64_t v, ms;
	time_t t;
	bq_err err;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -42;
		bq_err_clear(&err);
		T_OK(bq_time_parse_ms(good[i].in, NOW, &v, &err) == 0 && v == good[i].want,
		     "parse '%s' (got %lld, want %lld: %s)", good[i].in, (long long)v,
		     (long long)good[i].want, err.message);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -42;
		bq_err_clear(&err);
		T_OK(bq_time_parse_ms(bad[i].in, NOW, &v, &err) == -1 && v == -42 &&
		     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, bad[i].msg),
		     "reject '%s' naming it (%s)", bad[i].in, err.message);
	}
	T_OK(bq_time_parse_ms(NULL, NOW, &v, &err) == -1, "NULL is an error");

	/* seconds variant floors */
	T_OK(bq_time_parse("@1700000000.9", 0, &t, &err) == 0 && t == 1700000000,
	     "seconds variant floors fractions");
	T_OK(bq_time_parse("@-0.5", 0, &t, &err) == 0 && t == -1,
	     "seconds variant floors negative fractions");
	T_OK(bq_time_parse("1h", 1795694400, &t, &err) == 0 && t == 1795694400 - 3600,
	     "seconds variant relative to now");

	/* durations alone */
	T_OK(bq_duration_parse_ms("5m", &ms, &err) == 0 && ms == 5 * MIN, "duration 5m");
	T_OK(bq_duration_parse_ms("1h30m", &ms, &err) == 0 && ms == 90 * MIN, "duration 1h30m");
	T_OK(bq_duration_parse_ms("60", &ms, &err) == -1 && strstr(err.message, "'60'"),
	     "duration without unit names the text (%s)", err.message);
	T_OK(bq_duration_parse_ms("now", &ms, &err) == -1 &&
	     strstr(err.message, "bad duration 'now'"), "now is not a duration (%s)", err.message);
	T_OK(bq_duration_parse_ms("2026-11-26", &ms, &err) == -1, "a date is not a duration");

	/* formatting */
	T_STREQ(bq_time_format(1795687200, buf, sizeof(buf)), "2026-11-26T10:00:00Z", "format seconds");
	T_STREQ(bq_time_format(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z", "format epoch");
	T_STREQ(bq_time_format(-1, buf, sizeof(buf)), "1969-12-31T23:59:59Z", "format before epoch");
	T_STREQ(bq_time_format_ms(INT64_C(1795687200123), buf, sizeof(buf)),
		"2026-11-26T10:00:00.123Z", "format milliseconds");
	T_STREQ(bq_time_format_ms(INT64_C(1795687200000), buf, sizeof(buf)),
		"2026-11-26T10:00:00.000Z", "format milliseconds keeps .000");
	T_STREQ(bq_time_format_ms(-1, buf, sizeof(buf)), "1969-12-31T23:59:59.999Z",
		"format negative milliseconds floors");
	T_STREQ(bq_time_format_auto(INT64_C(1795687200000), buf, sizeof(buf)),
		"2026-11-26T10:00:00Z", "auto format whole second");
	T_STREQ(bq_time_format_auto(INT64_C(1795687200007), buf, sizeof(buf)),
		"2026-11-26T10:00:00.007Z", "auto format with milliseconds");
	T_OK(bq_time_format_ms(INT64_C(1795687200123), buf, 10) == NULL && buf[0] == '\0',
	     "format into a short buffer fails cleanly");
	T_OK(bq_time_format_ms(INT64_MAX, buf, sizeof(buf)) == NULL, "unrepresentable instant");

	/* round trip through both directions */
	for (v = -3 * D; v < 3 * D; v += 7 * H + 13 * S + 17) {
		bq_time_format_ms(NOW + v, buf, sizeof(buf));
		if (bq_time_parse_ms(buf, 0, &ms, &err) != 0 || ms != NOW + v)
			break;
	}
	T_OK(v >= 3 * D, "format/parse round trip (stopped at %s)", buf);
	T_OK(bq_days_from_civil(1970, 1, 1) == 0 && bq_days_from_civil(2000, 3, 1) == 11017,
	     "days from civil");
	return T_DONE();
}
