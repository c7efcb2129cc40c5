// SPDX-License-Identifier: Apache-2.0
//
// aggregate.c -- from node contributions to a score, by the scheme.
//
// Records held by one department only arrive as per-dimension sums.  A
// behavior that several departments may report arrives once per
// reporting node, under the same behavior key; of those, only the largest
// deduction counts for a negative behavior and the largest addition for a
// positive one (Changzhou art. 11.2-11.4: one behavior, one score).

#include <stdlib.h>
#include <string.h>

#include "coordinator/coordinator.h"
#include "wire/lookup.h"
#include "wire/scheme.h"
#include "wire/token.h"

static int
key_cmp(const void *a, const void *b)
{
	const fs_shared_item *x = *(const fs_shared_item *const *) a;
	const fs_shared_item *y = *(const fs_shared_item *const *) b;
	int c = memcmp(x->behavior_key, y->behavior_key, FS_SUBJECT_BYTES);

	return (c != 0 ? c : (int) x->dim - (int) y->dim);
}

// stronger is true when a should count instead of b for the same behavior:
// the larger magnitude (a deduction is negative, an addition positive).
static bool
stronger(const fs_shared_item *a, const fs_shared_item *b)
{
	int64_t ma = a->points < 0 ? -a->points : a->points;
	int64_t mb = b->points < 0 ? -b->points : b->points;

	return (ma > mb);
}

void
fs_aggregate(fs_score *out, const fs_scheme *s, const fs_contribution *const *c,
    size_t n)
{
	const fs_shared_item **all;
	size_t                 total = 0, k = 0;
	fs_score               r;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < n; i++) {
		for (int d = 0; d < FS_DIM_COUNT; d++) {
			r.dims[d] += c[i]->dims[d];
		}
		r.disputed = r.disputed || c[i]->disputed;
		r.counted += c[i]->counted;
		total += c[i]->nshared;
	}
	// Sort the shared items by behavior key, then keep the strongest of
	// each run of equal keys.
	all = total > 0 ? malloc(total * sizeof(*all)) : NULL;
	if (total > 0 && all == NULL) {
		// Without memory the shared items cannot be deduplicated; count
		// none rather than some twice.
		total = 0;
	}
	for (size_t i = 0; i < n && all != NULL; i++) {
		for (size_t j = 0; j < c[i]->nshared; j++) {
			all[k++] = &c[i]->shared[j];
		}
	}
	if (total > 0) {
		qsort(all, total, sizeof(*all), key_cmp);
	}
	for (size_t i = 0; i < total;) {
		const fs_shared_item *best = all[i];
		size_t                j    = i + 1;

		while (j < total && key_cmp(&all[j], &all[i]) == 0) {
			if (stronger(all[j], best)) {
				best = all[j];
			}
			j++;
		}
		r.dims[best->dim] += best->points;
		i = j;
	}
	free(all);
	r.raw = s->base;
	for (int d = 0; d < FS_DIM_COUNT; d++) {
		r.raw += r.dims[d];
	}
	r.score = r.raw < s->scale_min ? s->scale_min
	    : r.raw > s->scale_max     ? s->scale_max
	                               : r.raw;
	r.tier  = fs_scheme_tier(s, r.score);
	*out    = r;
}
