build-chk/builder/lib/base/ini.o: builder/lib/base/ini.c \
 builder/lib/base/hydra.h builder/lib/base/ini.h
builder/lib/base/hydra.h:
builder/lib/base/ini.h:
