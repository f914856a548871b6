from .cli import main

main(prog_name="rightsgraph")  # not "python -m rightsgraph" in help and error hints
