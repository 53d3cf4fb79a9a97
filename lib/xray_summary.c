/*
 * xray_summary: TraceSummary -> trace record (see the header).
 */
#include "xray_summary.h"

#include <math.h>

#include "timeexpr.h"

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	return s && *s ? s : NULL;
}

static void put_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static void put_time(json_t *o, const char *k, const json_t *v)
{
	if (!json_is_number(v))
		return;
	double t = json_number_value(v);
	if (!(t >= 0 && t < 1e11))
		return;
	char buf[BQ_TIME_BUFSZ];
	if (bq_time_format_ms(llround(t * 1000.0), buf, sizeof buf))
		json_object_set_new(o, k, json_string(buf));
}

static void put_ms(json_t *o, const char *k, const json_t *v)
{
	if (!json_is_number(v))
		return;
	double us = nearbyint(json_number_value(v) * 1e6);
	if (!isfinite(us))
		return;
	if (fmod(us, 1000.0) == 0 && fabs(us) < 9e15)
		json_object_set_new(o, k, json_integer((json_int_t)(us / 1000.0)));
	else
		json_object_set_new(o, k, json_real(us / 1000.0));
}

static json_t *annotation_value(const json_t *av)
{
	const json_t *v;
	if (json_is_number(v = json_object_get(av, "NumberValue")))
		return json_deep_copy(v);
	if (json_is_boolean(v = json_object_get(av, "BooleanValue")))
		return json_deep_copy(v);
	if (json_is_string(v = json_object_get(av, "StringValue")))
		return json_deep_copy(v);
	return NULL;
}

static void put_annotations(json_t *rec, const json_t *ann)
{
	const char *key;
	json_t *list;
	json_t *out;

	if (!json_is_object(ann) || !json_object_size(ann) || !(out = json_object()))
		return;
	json_object_foreach((json_t *)ann, key, list) {
		json_t *vals = json_array();
		size_t i;
		json_t *item;
		if (!vals)
			break;
		json_array_foreach(list, i, item) {
			json_t *v = annotation_value(json_object_get(item, "AnnotationValue"));
			if (v)
				json_array_append_new(vals, v);
		}
		if (json_array_size(vals) == 1)
			json_object_set(out, key, json_array_get(vals, 0));
		else if (json_array_size(vals) > 1)
			json_object_set(out, key, vals);
		json_decref(vals);
	}
	if (json_object_size(out))
		json_object_set_new(rec, "annotations", out);
	else
		json_decref(out);
}

static json_t *service(const json_t *sid)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put_str(o, "name", jstr(sid, "Name"));
	put_str(o, "type", jstr(sid, "Type"));
	put_str(o, "account_id", jstr(sid, "AccountId"));
	if (!json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *bq_xray_summary_record(const json_t *ts)
{
	const char *id = jstr(ts, "Id");
	const json_t *http = json_object_get(ts, "Http");
	const json_t *v;
	json_t *rec;
	size_t i;
	json_t *item;

	if (!id || !(rec = json_object()))
		return NULL;
	json_object_set_new(rec, "kind", json_string("trace"));
	put_str(rec, "trace_id", id);
	put_time(rec, "start", json_object_get(ts, "StartTime"));
	put_ms(rec, "duration_ms", json_object_get(ts, "Duration"));
	put_ms(rec, "response_time_ms", json_object_get(ts, "ResponseTime"));
	json_object_set_new(rec, "error", json_boolean(json_is_true(json_object_get(ts, "HasError"))));
	json_object_set_new(rec, "fault", json_boolean(json_is_true(json_object_get(ts, "HasFault"))));
	json_object_set_new(rec, "throttle", json_boolean(json_is_true(json_object_get(ts, "HasThrottle"))));
	json_object_set_new(rec, "partial", json_boolean(json_is_true(json_object_get(ts, "IsPartial"))));
	if (json_is_integer(v = json_object_get(http, "HttpStatus")))
		json_object_set_new(rec, "http_status", json_integer(json_integer_value(v)));
	put_str(rec, "http_method", jstr(http, "HttpMethod"));
	put_str(rec, "http_url", jstr(http, "HttpURL"));
	put_str(rec, "user_agent", jstr(http, "UserAgent"));
	put_str(rec, "client_ip", jstr(http, "ClientIp"));
	put_annotations(rec, json_object_get(ts, "Annotations"));

	v = json_object_get(ts, "Users");
	if (json_is_array(v) && json_array_size(v)) {
		json_t *users = json_array();
		json_array_foreach(v, i, item)
			if (jstr(item, "UserName"))
				json_array_append_new(users, json_string(jstr(item, "UserName")));
		json_object_set_new(rec, "users", users);
	}
	v = json_object_get(ts, "ServiceIds");
	if (json_is_array(v) && json_array_size(v)) {
		json_t *svcs = json_array();
		json_array_foreach(v, i, item) {
			json_t *s = service(item);
			if (s)
				json_array_append_new(svcs, s);
		}
		json_object_set_new(rec, "services", svcs);
	}
	json_t *ep = service(json_object_get(ts, "EntryPoint"));
	if (ep)
		json_object_set_new(rec, "entry_point", ep);
	if (json_is_integer(v = json_object_get(ts, "Revision")))
		json_object_set_new(rec, "revision", json_integer(json_integer_value(v)));
	put_time(rec, "matched_event_time", json_object_get(ts, "MatchedEventTime"));
	return rec;
}
