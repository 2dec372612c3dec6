build-chk/builder/lib/format/cpio.o: builder/lib/format/cpio.c \
 builder/lib/base/hydra.h builder/lib/base/tree.h \
 builder/lib/format/cpio.h
builder/lib/base/hydra.h:
builder/lib/base/tree.h:
builder/lib/format/cpio.h:
