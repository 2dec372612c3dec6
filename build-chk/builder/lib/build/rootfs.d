build-chk/builder/lib/build/rootfs.o: builder/lib/build/rootfs.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/initramfs.h builder/lib/build/kernel.h \
 builder/lib/build/modules.h builder/lib/build/rootfs.h \
 builder/lib/build/recipe.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/initramfs.h:
builder/lib/build/kernel.h:
builder/lib/build/modules.h:
builder/lib/build/rootfs.h:
builder/lib/build/recipe.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
