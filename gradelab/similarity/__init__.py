"""``gradelab similarity``: which submissions of an assignment share their answer code.

In the order a run goes: ``answers`` reads the release's own code and, after screening,
each submission's answer cells, bounded; ``fingerprints`` turns code into winnowed
fingerprints (copydetect, the algorithm of MOSS) without the release's code; ``pairs``
scores every pair of submissions; ``page`` writes the side-by-side HTML report; ``command``
runs it all and prints the closest pairs.
"""
