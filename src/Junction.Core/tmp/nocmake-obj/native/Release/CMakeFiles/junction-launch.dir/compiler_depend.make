# Empty compiler generated dependencies file for junction-launch.
# This may be replaced when dependencies are built.
