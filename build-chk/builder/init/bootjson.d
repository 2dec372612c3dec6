build-chk/builder/init/bootjson.o: builder/init/bootjson.c \
 builder/lib/base/util.h builder/init/init.h builder/lib/format/cmdline.h \
 builder/lib/format/layout.h builder/lib/format/manifest.h \
 builder/lib/format/signature.h
builder/lib/base/util.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/format/signature.h:
