# Loaded by every node of the example cluster (`zest cluster up` loads a
# layout directory's __load__.zeek).
@load ./shared-counts
