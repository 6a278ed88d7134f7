file(REMOVE_RECURSE
  "CMakeFiles/junction-launch.dir/launcher/filter.c.o"
  "CMakeFiles/junction-launch.dir/launcher/filter.c.o.d"
  "CMakeFiles/junction-launch.dir/launcher/launch.c.o"
  "CMakeFiles/junction-launch.dir/launcher/launch.c.o.d"
  "junction-launch"
  "junction-launch.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/junction-launch.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
