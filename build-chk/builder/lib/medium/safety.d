build-chk/builder/lib/medium/safety.o: builder/lib/medium/safety.c \
 builder/lib/base/hydra.h builder/lib/base/sysfs.h \
 builder/lib/base/util.h builder/lib/medium/safety.h
builder/lib/base/hydra.h:
builder/lib/base/sysfs.h:
builder/lib/base/util.h:
builder/lib/medium/safety.h:
