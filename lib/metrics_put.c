/*
 * metrics_put: record -> MetricDatum, and PutMetricData batching.  See
 * metrics_put.h for the mapping and the rules checked.
 */
#include "metrics_put.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics_query.h"

#define TWO_WEEKS (14 * 86400.0)
#define TWO_HOURS (2 * 3600.0)

/* Printable ASCII with at least one non-blank byte. */
static bool ascii_text(const char *s, size_t max)
{
	size_t n = 0;
	bool nonblank = false;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c < 0x20 || c > 0x7e)
			return false;
		if (c != ' ')
			nonblank = true;
	}
	return n >= 1 && n <= max && nonblank;
}

int bq_metrics_put_check_namespace(const char *ns, bq_err *err)
{
	if (!ns || !*ns)
		return bq_fail(err, BQ_EXIT_USAGE, "put needs --namespace NS");
	if (!ascii_text(ns, BQ_METRICS_NAME_MAX) || ns[0] == ':')
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad namespace '%s': 1 to 255 printable ASCII "
			       "characters, not starting with ':'", ns);
	if (strncmp(ns, "AWS/", 4) == 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "namespace '%s' is reserved: names starting with "
			       "AWS/ belong to AWS services", ns);
	return 0;
}

static bool dim_name_ok(const char *k)
{
	return ascii_text(k, BQ_METRICS_NAME_MAX) && k[0] != ':';
}

int bq_metrics_put_parse_dimspec(char *arg, bq_metrics_dimspec *spec,
				 bq_err *err)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad --dimension '%s': expected KEY=FIELD", arg);
	*eq = '\0';
	spec->key = arg;
	spec->field = eq + 1;
	if (!dim_name_ok(spec->key)) {
		*eq = '=';
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad --dimension '%s': the name must be 1 to 255 "
			       "printable ASCII characters, not starting with ':'", arg);
	}
	return 0;
}

int bq_metrics_put_check_opts(const bq_metrics_put_opts *o, bq_err *err)
{
	size_t i;

	if (o->unit && !bq_metrics_unit_valid(o->unit))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "unknown unit '%s' (CloudWatch's StandardUnit: Count, "
			       "Milliseconds, Seconds, Percent, None, ...)", o->unit);
	if (o->storage_resolution != 0 && o->storage_resolution != 1 &&
	    o->storage_resolution != 60)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "storage resolution must be 1 or 60 seconds");
	if (o->ndims > BQ_METRICS_MAX_DIMS)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "%zu dimensions: CloudWatch takes at most %d per metric",
			       o->ndims, BQ_METRICS_MAX_DIMS);
	for (i = 0; i < o->ndims; i++)
		if (!dim_name_ok(o->dims[i].key))
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad dimension name '%s'", o->dims[i].key);
	if (o->name && o->name[0] != '.' &&
	    (!*o->name || strlen(o->name) > BQ_METRICS_NAME_MAX))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad --name '%s': 1 to 255 characters", o->name);
	return 0;
}

const json_t *bq_metrics_field(const json_t *rec, const char *path)
{
	const json_t *cur = rec;
	const char *p = path;

	if (!path)
		return NULL;
	if (*p == '.')
		p++;
	if (!*p)
		return rec;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (!json_is_object(cur) || n == 0)
			return NULL;
		cur = json_object_getn(cur, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

/* A field value as dimension text: strings as they are, integers and
 * booleans printed; anything else is not a dimension value. */
static int dim_text(const json_t *v, char *out, size_t n)
{
	if (json_is_string(v))
		return bq_strlcpy(out, json_string_value(v), n);
	if (json_is_integer(v))
		return bq_snprintf(out, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_boolean(v))
		return bq_strlcpy(out, json_is_true(v) ? "true" : "false", n);
	return -1;
}

static int in_fail(bq_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A rejected record: status 5, the rest of the input goes on. */
static int in_fail(bq_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bq_vfail(err, BQ_EXIT_INPUT, fmt, ap);
	va_end(ap);
	return rc;
}

static int add_dim(json_t *dims, const char *k, const json_t *v, bq_err *err)
{
	char text[BQ_METRICS_DIMVAL_MAX + 2];

	if (!dim_name_ok(k))
		return in_fail(err, "bad dimension name '%.64s'", k);
	if (dim_text(v, text, sizeof text) ||
	    !ascii_text(text, BQ_METRICS_DIMVAL_MAX))
		return in_fail(err, "dimension '%.64s' needs a value of 1 to 1024 "
			       "printable ASCII characters", k);
	if (json_object_set_new(dims, k, json_string(text)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return 0;
}

static int value_of(const json_t *v, const char *what, double *out, bq_err *err)
{
	double d;

	if (json_is_number(v)) {
		d = json_number_value(v);
	} else if (json_is_string(v) && *json_string_value(v)) {
		char *end;

		d = strtod(json_string_value(v), &end);
		if (*end)
			return in_fail(err, "%s is not a number: '%.64s'", what,
				       json_string_value(v));
	} else {
		return in_fail(err, "%s is missing or not a number", what);
	}
	if (!isfinite(d))
		return in_fail(err, "%s is not finite", what);
	/* CloudWatch rejects magnitudes outside [2^-260, 2^360] (zero is
	 * fine). */
	if (fabs(d) > ldexp(1.0, 360) || (d != 0 && fabs(d) < ldexp(1.0, -260)))
		return in_fail(err, "%s is outside CloudWatch's range "
			       "(2^-260 to 2^360)", what);
	*out = d;
	return 0;
}

static int ts_of(const json_t *v, double now, double *out, bq_err *err)
{
	char when[40];

	if (json_is_number(v))
		*out = json_number_value(v);
	else if (!json_is_string(v) ||
		 bq_metrics_parse_iso(json_string_value(v), out))
		return in_fail(err, "ts is not an RFC 3339 time");
	if (bq_metrics_fmt_time(*out, when, sizeof when))
		return in_fail(err, "ts is out of range");
	if (*out < now - TWO_WEEKS)
		return in_fail(err, "ts %s is more than two weeks old: CloudWatch "
			       "does not take it", when);
	if (*out > now + TWO_HOURS)
		return in_fail(err, "ts %s is more than two hours ahead: CloudWatch "
			       "does not take it", when);
	return 0;
}

static const char *last_component(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? dot + 1 : path;
}

int bq_metrics_put_datum(const bq_metrics_put_opts *o, const json_t *rec,
			 double now, json_t **datum, bq_err *err)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	bool is_dp = kind && strcmp(kind, "datapoint") == 0;
	bool is_judge = kind && strcmp(kind, "judgment") == 0;
	const char *name = NULL, *unit = NULL;
	const json_t *vfield = NULL, *tsv;
	json_t *dims = NULL, *d = NULL;
	double value = 0, ts = 0;
	bool has_ts = false;
	size_t i;

	*datum = NULL;
	if (!json_is_object(rec))
		return in_fail(err, "not a JSON object");
	/* The metric's name. */
	if (o->name && o->name[0] == '.') {
		const json_t *nv = bq_metrics_field(rec, o->name);

		if (!json_is_string(nv))
			return in_fail(err, "no string field '%.64s' for --name",
				       o->name);
		name = json_string_value(nv);
	} else if (o->name) {
		name = o->name;
	} else if (o->value) {
		name = last_component(o->value);
	} else if (is_dp) {
		name = json_string_value(json_object_get(rec, "metric"));
		if (!name)
			return in_fail(err, "datapoint has no metric name");
	} else if (is_judge) {
		name = BQ_METRICS_JUDGE_METRIC;
	} else {
		return in_fail(err, "%s%.64s%s: give --value FIELD (and --name) for "
			       "records that are not datapoints or judgments",
			       kind ? "record of kind '" : "record without a kind",
			       kind ? kind : "", kind ? "'" : "");
	}
	if (!*name || strlen(name) > BQ_METRICS_NAME_MAX)
		return in_fail(err, "metric name '%.64s' is not 1 to 255 characters",
			       name);
	for (i = 0; name[i]; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return in_fail(err, "metric name '%.64s' has a control "
				       "character", name);
	/* The value. */
	if (o->value) {
		vfield = bq_metrics_field(rec, o->value);
		if (value_of(vfield, o->value, &value, err))
			return -1;
	} else if (is_dp) {
		if (value_of(json_object_get(rec, "value"), "value", &value, err))
			return -1;
	} else if (is_judge) {
		if (value_of(json_object_get(rec, "score"), "score", &value, err))
			return -1;
	}
	/* The time. */
	tsv = json_object_get(rec, "ts");
	if (tsv) {
		if (ts_of(tsv, now, &ts, err))
			return -1;
		has_ts = true;
	}
	/* The dimensions. */
	dims = json_object();
	if (!dims)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (is_dp && json_object_get(rec, "dimensions")) {
		const json_t *rd = json_object_get(rec, "dimensions");
		const char *k;
		const json_t *v;

		if (!json_is_object(rd)) {
			in_fail(err, "dimensions is not an object");
			goto fail;
		}
		json_object_foreach((json_t *)rd, k, v)
			if (add_dim(dims, k, v, err))
				goto fail;
	} else if (is_judge) {
		const json_t *rubric = json_object_get(rec, "rubric");
		const json_t *model = json_object_get(rec, "model_id");

		if (!rubric) {
			in_fail(err, "judgment has no rubric");
			goto fail;
		}
		if (add_dim(dims, "Rubric", rubric, err) ||
		    (model && add_dim(dims, "ModelId", model, err)))
			goto fail;
	}
	for (i = 0; i < o->ndims; i++) {
		const json_t *v = bq_metrics_field(rec, o->dims[i].field);

		if (!v) {
			in_fail(err, "no field '%.64s' for dimension %.64s",
				o->dims[i].field, o->dims[i].key);
			goto fail;
		}
		if (add_dim(dims, o->dims[i].key, v, err))
			goto fail;
	}
	if (json_object_size(dims) > BQ_METRICS_MAX_DIMS) {
		in_fail(err, "more than 30 dimensions");
		goto fail;
	}
	/* The unit. */
	if (is_dp && json_is_string(json_object_get(rec, "unit")))
		unit = json_string_value(json_object_get(rec, "unit"));
	else if (is_judge)
		unit = "None";
	if (!unit)
		unit = o->unit;
	if (unit && !bq_metrics_unit_valid(unit)) {
		in_fail(err, "unit '%.64s' is not a CloudWatch unit", unit);
		goto fail;
	}
	d = json_pack("{s:s, s:f}", "MetricName", name, "Value", value);
	if (!d)
		goto oom;
	if (json_object_size(dims)) {
		json_t *arr = json_array();
		const char *k;
		json_t *v;

		if (!arr || json_object_set_new(d, "Dimensions", arr))
			goto oom;
		json_object_foreach(dims, k, v)
			if (json_array_append_new(arr, json_pack("{s:s, s:O}", "Name", k,
								 "Value", v)))
				goto oom;
	}
	if (has_ts && json_object_set_new(d, "Timestamp", json_real(ts)))
		goto oom;
	if (unit && json_object_set_new(d, "Unit", json_string(unit)))
		goto oom;
	if (o->storage_resolution == 1 &&
	    json_object_set_new(d, "StorageResolution", json_integer(1)))
		goto oom;
	json_decref(dims);
	*datum = d;
	return 0;
oom:
	bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
fail:
	json_decref(d);
	json_decref(dims);
	return -1;
}

/* ---- batching ---------------------------------------------------------- */

static size_t base_bytes(const char *ns)
{
	/* {"Namespace":"<ns>","MetricData":[]} with room for escapes. */
	return 32 + 2 * strlen(ns);
}

int bq_metrics_batch_init(bq_metrics_batch *b, const char *ns, bq_err *err)
{
	memset(b, 0, sizeof *b);
	b->namespace_ = strdup(ns);
	b->data = json_array();
	b->records = json_array();
	b->max_data = BQ_METRICS_PUT_MAX_DATA;
	b->max_bytes = BQ_METRICS_PUT_MAX_BYTES;
	if (!b->namespace_ || !b->data || !b->records) {
		bq_metrics_batch_release(b);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	b->bytes = base_bytes(ns);
	return 0;
}

void bq_metrics_batch_release(bq_metrics_batch *b)
{
	free(b->namespace_);
	json_decref(b->data);
	json_decref(b->records);
	memset(b, 0, sizeof *b);
}

size_t bq_metrics_batch_len(const bq_metrics_batch *b)
{
	return json_array_size(b->data);
}

static size_t datum_bytes(const json_t *datum)
{
	/* json_dumpb with no buffer returns the size it would need. */
	return json_dumpb(datum, NULL, 0, JSON_COMPACT) + 1;
}

bool bq_metrics_batch_full(const bq_metrics_batch *b, const json_t *datum)
{
	size_t n = json_array_size(b->data);

	if (n == 0)
		return false;
	return n >= b->max_data || b->bytes + datum_bytes(datum) > b->max_bytes;
}

int bq_metrics_batch_add(bq_metrics_batch *b, json_t *datum, json_t *record,
			 double now, bq_err *err)
{
	if (json_array_size(b->data) == 0)
		b->first = now;
	if (json_array_append(b->data, datum) ||
	    json_array_append(b->records, record ? record : json_null()))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	b->bytes += datum_bytes(datum);
	return 0;
}

json_t *bq_metrics_batch_request(const bq_metrics_batch *b)
{
	return json_pack("{s:s, s:O}", "Namespace", b->namespace_, "MetricData",
			 b->data);
}

void bq_metrics_batch_clear(bq_metrics_batch *b)
{
	json_array_clear(b->data);
	json_array_clear(b->records);
	b->bytes = base_bytes(b->namespace_);
	b->first = 0;
}
