"""Generation backends (image, video, speech, music), registered through the `filmc.backends`
entry-point group. The embedded `local` backend and the HTTP backends arrive with the shot
graph; see ../shared/DESIGN.md in the project's design notes and docs/ as they land.
"""
