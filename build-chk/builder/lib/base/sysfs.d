build-chk/builder/lib/base/sysfs.o: builder/lib/base/sysfs.c \
 builder/lib/base/sysfs.h builder/lib/base/util.h
builder/lib/base/sysfs.h:
builder/lib/base/util.h:
