build-chk/builder/lib/medium/burn.o: builder/lib/medium/burn.c \
 builder/lib/base/extent.h builder/lib/base/hydra.h \
 builder/lib/base/util.h builder/lib/medium/burn.h \
 builder/lib/medium/medium.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/medium/safety.h \
 builder/lib/medium/wipe.h
builder/lib/base/extent.h:
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/medium/burn.h:
builder/lib/medium/medium.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/medium/safety.h:
builder/lib/medium/wipe.h:
