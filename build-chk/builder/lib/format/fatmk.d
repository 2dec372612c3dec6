build-chk/builder/lib/format/fatmk.o: builder/lib/format/fatmk.c \
 builder/lib/base/util.h builder/lib/format/fat_layout.h \
 builder/lib/format/fatmk.h
builder/lib/base/util.h:
builder/lib/format/fat_layout.h:
builder/lib/format/fatmk.h:
