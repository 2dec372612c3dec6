build-chk/builder/lib/format/cmdline.o: builder/lib/format/cmdline.c \
 builder/lib/base/http.h builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/cmdline.h builder/lib/format/hwdb.h
builder/lib/base/http.h:
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/cmdline.h:
builder/lib/format/hwdb.h:
