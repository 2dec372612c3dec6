build-chk/builder/lib/format/fat.o: builder/lib/format/fat.c \
 builder/lib/base/util.h builder/lib/format/fat.h \
 builder/lib/format/fat_layout.h
builder/lib/base/util.h:
builder/lib/format/fat.h:
builder/lib/format/fat_layout.h:
