/*
 * large: a guest the size of a MirageOS unikernel, for the boot bench. Its
 * image holds 8 MiB of read-only data; it reads one byte of each page, as
 * a large guest's boot touches its code, prints
 *     large: 2048 pages read
 * and exits 0.
 */
#include "nabla.h"

NB_MANIFEST();

#define LARGE_SIZE (8 << 20)
#define LARGE_PAGE 4096

/* Initialised, so that it lies in the file (not in .bss), and const, so
 * that it lies in the read-only segment. */
static const unsigned char data[LARGE_SIZE] = { [LARGE_SIZE - 1] = 1 };

int main(void)
{
    unsigned pages = 0;

    for (unsigned long i = 0; i < LARGE_SIZE; i += LARGE_PAGE) {
        (void)*(volatile const unsigned char *)&data[i];
        pages++;
    }
    nb_printf("large: %u pages read\n", pages);
    return 0;
}
