/*
 * malloc: first fit over an address-ordered free list of the heap
 * (heap_start..heap_end minus what CONFIG took), neighbours merged on free.
 * Each block starts with a 16-byte header holding its size, so payloads are
 * 16-byte aligned. Enough for the SDK and sample guests; not fast.
 */
#include "sdk.h"

#define ALIGN 16u

struct block {
    size_t size;            /* whole block, header included */
    struct block *next;     /* free blocks only */
};

_Static_assert(sizeof(struct block) == ALIGN, "header keeps payloads aligned");

static struct block *free_list;

void nb_heap_init(uintptr_t start, uintptr_t end)
{
    start = (start + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    end &= ~(uintptr_t)(ALIGN - 1);
    free_list = NULL;
    if (end <= start || end - start < 2 * ALIGN)
        return;
    free_list = (struct block *)start;
    free_list->size = end - start;
    free_list->next = NULL;
}

void *nb_malloc(size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t need = (n + sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1);

    for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
        struct block *b = *pp;
        if (b->size < need)
            continue;
        if (b->size - need >= 2 * ALIGN) { /* split: the tail stays free */
            struct block *rest = (struct block *)((char *)b + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *pp = rest;
            b->size = need;
        } else {
            *pp = b->next;
        }
        return b + 1;
    }
    return NULL;
}

void *nb_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = nb_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void nb_free(void *p)
{
    if (!p)
        return;
    struct block *b = (struct block *)p - 1, *prev = NULL, *next = free_list;
    while (next && next < b) {
        prev = next;
        next = next->next;
    }
    b->next = next;
    if (next && (char *)b + b->size == (char *)next) {
        b->size += next->size;
        b->next = next->next;
    }
    if (prev && (char *)prev + prev->size == (char *)b) {
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}
