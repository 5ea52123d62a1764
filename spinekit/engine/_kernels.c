/*
 * Compiled critical path kernels for one schedule with integer durations.
 *
 * spinekit builds this file into a plain shared library when it is installed (see
 * hatch_build.py) and calls it through ctypes (spinekit/_native.py). It uses no Python API, so
 * one build serves every Python version. Where it could not be built, spinekit runs the same
 * passes in numpy (spinekit/_cpm.py); the tests check the two against each other.
 *
 * Every array is int64 and C-contiguous, of the lengths given (spinekit/_native.py checks them),
 * and every value small enough that no sum below can overflow (spinekit/_cpm.py refuses inputs
 * that could reach 2**61; hatch_build.py also builds with -fwrapv, so that a sum that did
 * overflow would wrap rather than be undefined). Tasks are numbered in topological order (every predecessor before
 * its successors); links are grouped by the task that a pass updates. The passes check the
 * grouping as they go and return -1, leaving their output unfinished, if it is not one: offsets
 * that run backwards or beyond the m links, or a link to a task out of order or out of range.
 * Constraints, with d the duration and EF = ES + d:
 *
 *     FS: ES(s) >= EF(p) + lag        SS: ES(s) >= ES(p) + lag
 *     FF: EF(s) >= EF(p) + lag        SF: EF(s) >= ES(p) + lag
 *
 * pf[k] is 1 where link k leaves its predecessor's finish (FS, FF), sf[k] is 1 where it reaches
 * its successor's finish (FF, SF).
 */

#include <stdint.h>
#include <stdlib.h>

/* Raised whenever a signature or a meaning below changes; spinekit/_native.py checks it. The
 * source's SHA-256 (below) catches any other change where _kernels.c is installed beside the
 * library, as spinekit's wheels do; this number also covers installs that ship no source. */
#define SK_ABI 2

/* The SHA-256 of this file as built, set by hatch_build.py, so that a library left over from an
 * older source is recognised and not used. */
#ifndef SK_SOURCE_SHA256
#define SK_SOURCE_SHA256 "unknown"
#endif

int64_t sk_abi(void) { return SK_ABI; }

const char *sk_source_sha256(void) { return SK_SOURCE_SHA256; }

/*
 * Topological layout of n tasks joined by m links (link k runs from task tails[k] to heads[k],
 * both positions 0..n-1).
 *
 * generation[v]  1 + the largest generation among v's predecessors (0 with none);
 * order[i]       the position of the i-th task in (generation, position) order;
 * rank[v]        the inverse of order;
 * in_ptr, in_link  links grouped by rank of their head: those of task i are
 *                  in_link[in_ptr[i] .. in_ptr[i+1]-1], in their original order;
 * out_ptr, out_link  the same, grouped by rank of their tail.
 *
 * Returns the number of tasks placed: n for an acyclic network, fewer when there is a cycle
 * (the outputs are then meaningless), -1 when memory runs out.
 */
int64_t sk_layout(int64_t n, int64_t m, const int64_t *tails, const int64_t *heads,
                  int64_t *generation, int64_t *order, int64_t *rank,
                  int64_t *in_ptr, int64_t *in_link, int64_t *out_ptr, int64_t *out_link)
{
    int64_t *succ_ptr = calloc((size_t)n + 1, sizeof *succ_ptr);
    int64_t *succ = malloc(((size_t)m + 1) * sizeof *succ);
    int64_t *waiting = calloc((size_t)n + 1, sizeof *waiting);
    int64_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    int64_t *cursor = malloc(((size_t)n + 1) * sizeof *cursor);
    int64_t *count = NULL;
    int64_t placed = -1, tail = 0, depth = 0;
    if (!succ_ptr || !succ || !waiting || !queue || !cursor)
        goto done;

    /* Successors of each position, by counting sort on tails (stable). */
    for (int64_t k = 0; k < m; k++) {
        succ_ptr[tails[k] + 1]++;
        waiting[heads[k]]++;
    }
    for (int64_t v = 0; v < n; v++)
        succ_ptr[v + 1] += succ_ptr[v];
    for (int64_t v = 0; v < n; v++)
        cursor[v] = succ_ptr[v];
    for (int64_t k = 0; k < m; k++)
        succ[cursor[tails[k]]++] = heads[k];

    /* Kahn's algorithm, first in first out: tasks leave the queue generation by generation, so
     * the predecessor that releases a task is one of the deepest. */
    for (int64_t v = 0; v < n; v++) {
        generation[v] = 0;
        if (!waiting[v])
            queue[tail++] = v;
    }
    for (int64_t head = 0; head < tail; head++) {
        int64_t v = queue[head];
        for (int64_t k = succ_ptr[v]; k < succ_ptr[v + 1]; k++) {
            int64_t s = succ[k];
            if (!--waiting[s]) {
                generation[s] = generation[v] + 1;
                queue[tail++] = s;
            }
        }
    }
    placed = tail;
    if (placed < n)
        goto done;

    /* Order by generation, then position: a counting sort on generation (stable). */
    for (int64_t v = 0; v < n; v++)
        if (generation[v] > depth)
            depth = generation[v];
    count = calloc((size_t)depth + 2, sizeof *count);
    if (!count) {
        placed = -1;
        goto done;
    }
    for (int64_t v = 0; v < n; v++)
        count[generation[v] + 1]++;
    for (int64_t g = 0; g <= depth; g++)
        count[g + 1] += count[g];
    for (int64_t v = 0; v < n; v++)
        order[count[generation[v]]++] = v;
    for (int64_t i = 0; i < n; i++)
        rank[order[i]] = i;

    /* Links grouped by the rank of their head, then of their tail (both stable). */
    for (int64_t i = 0; i <= n; i++)
        in_ptr[i] = out_ptr[i] = 0;
    for (int64_t k = 0; k < m; k++) {
        in_ptr[rank[heads[k]] + 1]++;
        out_ptr[rank[tails[k]] + 1]++;
    }
    for (int64_t i = 0; i < n; i++) {
        in_ptr[i + 1] += in_ptr[i];
        out_ptr[i + 1] += out_ptr[i];
    }
    for (int64_t i = 0; i < n; i++) {
        cursor[i] = in_ptr[i];
        waiting[i] = out_ptr[i]; /* free again: a second cursor */
    }
    for (int64_t k = 0; k < m; k++) {
        in_link[cursor[rank[heads[k]]]++] = k;
        out_link[waiting[rank[tails[k]]]++] = k;
    }

done:
    free(count);
    free(cursor);
    free(queue);
    free(waiting);
    free(succ);
    free(succ_ptr);
    return placed;
}

/* Task v's run of links, ptr[v] .. ptr[v+1]-1, lies within the m links. */
#define SK_RUN_OK(ptr, v, m) ((ptr)[v] >= 0 && (ptr)[v] <= (ptr)[(v) + 1] && (ptr)[(v) + 1] <= (m))

/*
 * Forward pass over n tasks and m links. es holds each task's lower bound on entry (0, or its
 * not_before index) and its early start on return. Task v's links in are ptr[v] .. ptr[v+1]-1,
 * link k from task pred[k] < v. Returns 0, or -1 for a bad grouping.
 */
int64_t sk_forward(int64_t n, int64_t m, const int64_t *ptr, const int64_t *pred,
                   const int64_t *lag, const int64_t *pf, const int64_t *sf, const int64_t *d,
                   int64_t *es)
{
    for (int64_t v = 0; v < n; v++) {
        if (!SK_RUN_OK(ptr, v, m))
            return -1;
        int64_t best = es[v];
        for (int64_t k = ptr[v]; k < ptr[v + 1]; k++) {
            int64_t p = pred[k];
            if (p < 0 || p >= v)
                return -1;
            int64_t bound = es[p] + d[p] * pf[k] + lag[k] - d[v] * sf[k];
            if (bound > best)
                best = bound;
        }
        es[v] = best;
    }
    return 0;
}

/*
 * Backward pass. lf holds each task's upper bound on entry (the programme finish, or less for a
 * deadline) and its late finish on return. Task v's links out are ptr[v] .. ptr[v+1]-1, link k
 * to task succ[k] > v. Returns 0, or -1 for a bad grouping.
 */
int64_t sk_backward(int64_t n, int64_t m, const int64_t *ptr, const int64_t *succ,
                    const int64_t *lag, const int64_t *pf, const int64_t *sf, const int64_t *d,
                    int64_t *lf)
{
    for (int64_t v = n - 1; v >= 0; v--) {
        if (!SK_RUN_OK(ptr, v, m))
            return -1;
        int64_t best = lf[v];
        for (int64_t k = ptr[v]; k < ptr[v + 1]; k++) {
            int64_t s = succ[k];
            if (s <= v || s >= n)
                return -1;
            int64_t bound = lf[s] - d[s] * (1 - sf[k]) - lag[k] + d[v] * (1 - pf[k]);
            if (bound < best)
                best = bound;
        }
        lf[v] = best;
    }
    return 0;
}

/*
 * Free float: min(finish - EF, the least slack to any successor), with links laid out as for
 * sk_backward and the early starts from sk_forward. Returns 0, or -1 for a bad grouping.
 */
int64_t sk_free_float(int64_t n, int64_t m, const int64_t *ptr, const int64_t *succ,
                      const int64_t *lag, const int64_t *pf, const int64_t *sf, const int64_t *d,
                      const int64_t *es, int64_t finish, int64_t *ff)
{
    for (int64_t v = 0; v < n; v++) {
        if (!SK_RUN_OK(ptr, v, m))
            return -1;
        int64_t best = finish - (es[v] + d[v]);
        for (int64_t k = ptr[v]; k < ptr[v + 1]; k++) {
            int64_t s = succ[k];
            if (s <= v || s >= n)
                return -1;
            int64_t slack = (es[s] + d[s] * sf[k]) - lag[k] - (es[v] + d[v] * pf[k]);
            if (slack < best)
                best = slack;
        }
        ff[v] = best;
    }
    return 0;
}
