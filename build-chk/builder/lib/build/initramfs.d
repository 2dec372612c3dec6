build-chk/builder/lib/build/initramfs.o: builder/lib/build/initramfs.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/initramfs.h builder/lib/build/kernel.h \
 builder/lib/build/modules.h builder/lib/format/cpio.h \
 builder/lib/format/signature.h builder/lib/format/layout.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/initramfs.h:
builder/lib/build/kernel.h:
builder/lib/build/modules.h:
builder/lib/format/cpio.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
