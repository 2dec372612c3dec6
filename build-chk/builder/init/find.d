build-chk/builder/init/find.o: builder/init/find.c \
 /usr/include/blkid/blkid.h builder/lib/base/util.h builder/init/init.h \
 builder/lib/format/cmdline.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/format/signature.h
/usr/include/blkid/blkid.h:
builder/lib/base/util.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/format/signature.h:
