build-chk/builder/init/netboot.o: builder/init/netboot.c \
 builder/lib/base/http.h builder/lib/base/sysfs.h builder/lib/base/util.h \
 builder/lib/format/signature.h builder/lib/format/layout.h \
 builder/init/init.h builder/lib/format/cmdline.h \
 builder/lib/format/manifest.h
builder/lib/base/http.h:
builder/lib/base/sysfs.h:
builder/lib/base/util.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/manifest.h:
