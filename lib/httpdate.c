#include "httpdate.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "timeexpr.h"

int bq_http_date_parse(const char *s, time_t *out)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char mon[4], zone[4];
	int d, y, hh, mm, ss, m, n = 0;
	const char *comma;

	if (!s)
		return -1;
	comma = strchr(s, ',');
	if (comma)
		s = comma + 1;
	if (sscanf(s, " %2d %3s %4d %2d:%2d:%2d %3s%n", &d, mon, &y, &hh, &mm,
		   &ss, zone, &n) != 7 || s[n] != '\0')
		return -1;
	if (strcmp(zone, "GMT") != 0 && strcmp(zone, "UTC") != 0)
		return -1;
	for (m = 0; m < 12; m++)
		if (strcasecmp(mon, months[m]) == 0)
			break;
	if (m == 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    y < 1970)
		return -1;
	*out = (time_t)(bq_days_from_civil(y, m + 1, d) * 86400 + hh * 3600 +
			mm * 60 + ss);
	return 0;
}
