build-chk/builder/lib/build/build.o: builder/lib/build/build.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/build/build.h builder/lib/build/recipe.h \
 builder/lib/build/cache.h builder/lib/build/hooks.h \
 builder/lib/build/initramfs.h builder/lib/build/kernel.h \
 builder/lib/build/modules.h builder/lib/build/rootfs.h \
 builder/lib/format/hwdb.h builder/lib/format/manifest.h \
 builder/lib/medium/sign.h builder/lib/format/signature.h \
 builder/lib/format/layout.h builder/lib/medium/writer.h \
 builder/lib/node/overlay.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/build.h:
builder/lib/build/recipe.h:
builder/lib/build/cache.h:
builder/lib/build/hooks.h:
builder/lib/build/initramfs.h:
builder/lib/build/kernel.h:
builder/lib/build/modules.h:
builder/lib/build/rootfs.h:
builder/lib/format/hwdb.h:
builder/lib/format/manifest.h:
builder/lib/medium/sign.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
builder/lib/medium/writer.h:
builder/lib/node/overlay.h:
