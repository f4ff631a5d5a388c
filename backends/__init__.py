"""Generation backends (image, video, speech, music), registered through the `filmc.backends`
entry-point group so that third parties can ship their own. The embedded offline `local`
backend and the HTTP backends arrive with the shot graph, their first user.
"""
