build-chk/builder/lib/build/install.o: builder/lib/build/install.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/initramfs.h builder/lib/build/kernel.h \
 builder/lib/build/modules.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/initramfs.h:
builder/lib/build/kernel.h:
builder/lib/build/modules.h:
