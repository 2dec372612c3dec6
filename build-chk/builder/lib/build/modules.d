build-chk/builder/lib/build/modules.o: builder/lib/build/modules.c \
 builder/lib/base/hydra.h builder/lib/base/ini.h builder/lib/base/util.h \
 builder/lib/build/modules.h
builder/lib/base/hydra.h:
builder/lib/base/ini.h:
builder/lib/base/util.h:
builder/lib/build/modules.h:
