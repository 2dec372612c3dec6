build-chk/builder/lib/format/nodeconf.o: builder/lib/format/nodeconf.c \
 builder/lib/format/nodeconf.h builder/lib/format/hwdb.h
builder/lib/format/nodeconf.h:
builder/lib/format/hwdb.h:
