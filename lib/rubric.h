/*
 * rubric: what bq-judge asks a judge model to score, as data.  A rubric is
 * a name, the criteria in plain words, and a scale of consecutive integer
 * levels, each with a label.  For most rubrics a higher level is better;
 * for harmfulness and refusal a higher level means more of the property,
 * i.e. worse (higher_is_worse).  bq_rubric_score() maps a raw level to
 * 0..1 with 1 always best.
 *
 * Rubric files (--rubric-file FILE) are JSON objects:
 *   {
 *     "name": "tone",                       required, 1-63 of [a-z0-9_-]
 *     "description": "one line",            optional
 *     "criteria": "what to look at ...",    required, 1-5000 characters
 *     "scale": [                            required, 2-11 levels in
 *       {"value": 1, "label": "rude"},      ascending order of value,
 *       {"value": 2, "label": "neutral"},   values consecutive integers
 *       {"value": 3, "label": "warm"}       (-1000..1000), labels 1-200
 *     ],                                    characters
 *     "higher_is_worse": false,             optional, default false
 *     "uses_reference": false               optional: the criteria rely
 *   }                                       on a reference answer
 * Unknown keys are errors (they are usually typos).  Problems are usage
 * errors (status 2) naming the file and the place:
 *   "rubric file 'r.json': scale[2].value: want 3 (consecutive integers)".
 *
 * Ownership: built-in rubrics are static (borrowed, never freed); rubrics
 * from files are owned by the caller and freed with bq_rubric_free (which
 * ignores built-ins and NULL).
 */
#ifndef BQ_RUBRIC_H
#define BQ_RUBRIC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define BQ_RUBRIC_MAX_LEVELS 11

struct bq_rubric {
	const char *name;
	const char *description;
	const char *criteria;
	int min, max;                 /* scale bounds; levels = max - min + 1 */
	const char *labels[BQ_RUBRIC_MAX_LEVELS]; /* labels[v - min] */
	bool higher_is_worse;
	bool uses_reference;
	bool builtin;
	void *owned;                  /* private: storage of a loaded rubric */
};

/* The built-in rubric with this name (also accepted: "_" for "-",
 * "Builtin.Correctness"-style ids of Bedrock Model Evaluation), or NULL. */
const struct bq_rubric *bq_rubric_builtin(const char *name);
/* Built-ins in documentation order; NULL past the end. */
const struct bq_rubric *bq_rubric_builtin_at(size_t i);

/* Validates a parsed rubric document; what names it in messages. */
int bq_rubric_from_json(const json_t *doc, const char *what,
			struct bq_rubric **out, bq_err *err);
/* Reads and validates a rubric file. */
int bq_rubric_load(const char *path, struct bq_rubric **out, bq_err *err);
void bq_rubric_free(struct bq_rubric *r);

/* True when raw is a level of the scale. */
bool bq_rubric_in_scale(const struct bq_rubric *r, long raw);
/* raw (a level) mapped onto 0..1, 1 best. */
double bq_rubric_score(const struct bq_rubric *r, long raw);

#endif
