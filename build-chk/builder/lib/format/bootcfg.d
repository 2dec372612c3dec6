build-chk/builder/lib/format/bootcfg.o: builder/lib/format/bootcfg.c \
 builder/lib/base/util.h builder/lib/format/bootcfg.h
builder/lib/base/util.h:
builder/lib/format/bootcfg.h:
