build-chk/builder/lib/format/signature.o: builder/lib/format/signature.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/signature.h builder/lib/format/layout.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
