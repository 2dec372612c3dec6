build-chk/builder/lib/format/layout.o: builder/lib/format/layout.c \
 builder/lib/base/util.h builder/lib/format/layout.h
builder/lib/base/util.h:
builder/lib/format/layout.h:
