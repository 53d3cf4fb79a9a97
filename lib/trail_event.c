/*
 * trail_event: CloudTrail record -> bq-trail event record (see the header).
 */
#include "trail_event.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "timeexpr.h"

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	return s && *s ? s : NULL;
}

static int set_str(json_t *rec, const char *key, const char *val)
{
	if (!val)
		return 0;
	return json_object_set_new(rec, key, json_string(val));
}

int bq_trail_parse_lookup(const json_t *envelope, json_t **raw, bq_err *err)
{
	const json_t *cte = json_object_get(envelope, "CloudTrailEvent");
	const char *id = jstr(envelope, "EventId");
	json_error_t jerr;

	*raw = NULL;
	if (!cte || json_is_null(cte))
		return 0;
	if (!json_is_string(cte))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "event '%s': CloudTrailEvent is not a string",
			       id ? id : "?");
	json_t *v = json_loadb(json_string_value(cte), json_string_length(cte),
			       0, &jerr);
	if (!v)
		return bq_fail(err, BQ_EXIT_INPUT,
			       "event '%s': CloudTrailEvent is not valid JSON: %s",
			       id ? id : "?", jerr.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return bq_fail(err, BQ_EXIT_INPUT,
			       "event '%s': CloudTrailEvent is not a JSON object",
			       id ? id : "?");
	}
	*raw = v;
	return 0;
}

/* The session name of an assumed-role ARN is what people call the user:
 * arn:aws:sts::123:assumed-role/Role/alice -> alice. */
static const char *arn_tail(const char *arn)
{
	const char *slash = arn ? strrchr(arn, '/') : NULL;
	return slash && slash[1] ? slash + 1 : NULL;
}

static const char *pick_user(const json_t *ui, const json_t *envelope)
{
	const char *u = jstr(envelope, "Username");
	if (u)
		return u;
	if (!json_is_object(ui))
		return NULL;
	if ((u = jstr(ui, "userName")))
		return u;
	const char *type = jstr(ui, "type");
	if (type && strcmp(type, "AssumedRole") == 0 && (u = arn_tail(jstr(ui, "arn"))))
		return u;
	if (type && strcmp(type, "Root") == 0)
		return "root";
	return jstr(ui, "principalId");
}

/* LookupEvents' EventTime is epoch seconds, sometimes with a fraction:
 * milliseconds only when there are some.  A fraction that rounds up to a
 * whole second stays in its second (.999), as it always has. */
static void format_epoch(double t, char *buf, size_t size)
{
	double secs = floor(t);
	long ms;

	buf[0] = '\0';
	if (!(secs > -9e15 && secs < 9e15))
		return;
	ms = lround((t - secs) * 1000.0);
	if (ms >= 1000)
		ms = 999;
	bq_time_format_auto((int64_t)secs * 1000 + ms, buf, size);
}

static int add_resources(json_t *rec, const json_t *raw, const json_t *envelope)
{
	json_t *arr = json_array();
	const json_t *src = raw ? json_object_get(raw, "resources") : NULL;
	size_t i;
	const json_t *r;

	if (!arr)
		return -1;
	if (json_is_array(src) && json_array_size(src) > 0) {
		json_array_foreach(src, i, r) {
			json_t *o = json_object();
			if (!o)
				break;
			set_str(o, "type", jstr(r, "type"));
			set_str(o, "name", jstr(r, "ARN"));
			set_str(o, "account_id", jstr(r, "accountId"));
			json_array_append_new(arr, o);
		}
	} else if (envelope) {
		src = json_object_get(envelope, "Resources");
		json_array_foreach(src, i, r) {
			json_t *o = json_object();
			if (!o)
				break;
			set_str(o, "type", jstr(r, "ResourceType"));
			set_str(o, "name", jstr(r, "ResourceName"));
			json_array_append_new(arr, o);
		}
	}
	return json_object_set_new(rec, "resources", arr);
}

static int set_copy(json_t *rec, const char *key, const json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	return json_object_set_new(rec, key, json_deep_copy(v));
}

json_t *bq_trail_event_record(const json_t *raw, const json_t *envelope)
{
	json_t *rec = json_object();
	const json_t *ui = raw ? json_object_get(raw, "userIdentity") : NULL;
	const json_t *req = raw ? json_object_get(raw, "requestParameters") : NULL;
	const json_t *aed = raw ? json_object_get(raw, "additionalEventData") : NULL;
	const char *s;
	char tbuf[48];

	if (!rec)
		return NULL;
	json_object_set_new(rec, "kind", json_string("event"));

	s = jstr(raw, "eventTime");
	if (!s) {
		const json_t *et = envelope ? json_object_get(envelope, "EventTime") : NULL;
		if (json_is_number(et)) {
			format_epoch(json_number_value(et), tbuf, sizeof tbuf);
			s = tbuf[0] ? tbuf : NULL;
		} else {
			s = jstr(envelope, "EventTime");
		}
	}
	set_str(rec, "ts", s);

	s = jstr(raw, "eventID");
	set_str(rec, "event_id", s ? s : jstr(envelope, "EventId"));
	s = jstr(raw, "eventName");
	set_str(rec, "event_name", s ? s : jstr(envelope, "EventName"));
	s = jstr(raw, "eventSource");
	set_str(rec, "event_source", s ? s : jstr(envelope, "EventSource"));
	set_str(rec, "identity", jstr(ui, "arn"));
	set_str(rec, "user", pick_user(ui, envelope));
	s = jstr(raw, "recipientAccountId");
	set_str(rec, "account_id", s ? s : jstr(ui, "accountId"));
	set_str(rec, "region", jstr(raw, "awsRegion"));
	set_str(rec, "source_ip", jstr(raw, "sourceIPAddress"));
	set_str(rec, "user_agent", jstr(raw, "userAgent"));
	set_str(rec, "request_id", jstr(raw, "requestID"));
	s = jstr(req, "modelId");
	set_str(rec, "model_id", s ? s : jstr(req, "modelIdentifier"));
	set_str(rec, "inference_region", jstr(aed, "inferenceRegion"));
	set_str(rec, "error_code", jstr(raw, "errorCode"));
	set_str(rec, "error_message", jstr(raw, "errorMessage"));

	const json_t *ro = raw ? json_object_get(raw, "readOnly") : NULL;
	if (!ro && envelope)
		ro = json_object_get(envelope, "ReadOnly");
	if (json_is_boolean(ro))
		json_object_set_new(rec, "read_only", json_boolean(json_is_true(ro)));
	else if (json_is_string(ro))
		json_object_set_new(rec, "read_only",
				    json_boolean(strcmp(json_string_value(ro), "true") == 0));

	if (add_resources(rec, raw, envelope) < 0 ||
	    set_copy(rec, "request", req) < 0 ||
	    set_copy(rec, "response", raw ? json_object_get(raw, "responseElements") : NULL) < 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

static bool any_eq(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (s && strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool user_matches(const char *want, const char *user, const char *identity)
{
	if (user && strcmp(want, user) == 0)
		return true;
	if (!identity)
		return false;
	if (strcmp(want, identity) == 0)
		return true;
	size_t li = strlen(identity), lw = strlen(want);
	return li > lw && identity[li - lw - 1] == '/' &&
	       strcmp(identity + li - lw, want) == 0;
}

bool bq_trail_filter_match(const bq_trail_filter *f, const json_t *event)
{
	if (!f)
		return true;
	if (f->source && !any_eq(&f->source, 1, jstr(event, "event_source")))
		return false;
	if (f->nevents && !any_eq(f->events, f->nevents, jstr(event, "event_name")))
		return false;
	if (f->errors_only && !jstr(event, "error_code"))
		return false;
	if (f->nusers) {
		const char *user = jstr(event, "user"), *id = jstr(event, "identity");
		size_t i;
		for (i = 0; i < f->nusers; i++)
			if (user_matches(f->users[i], user, id))
				break;
		if (i == f->nusers)
			return false;
	}
	return true;
}

static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

double bq_trail_time(const char *s)
{
	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 60)
		return -1;
	double t = (double)(days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se);
	const char *p = s + 19;
	if (*p == '.') {
		double scale = 0.1;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			t += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return t;
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || om < 0)
			return -1;
		double off = oh * 3600.0 + om * 60.0;
		return *p == '+' ? t - off : t + off;
	}
	return -1;
}
