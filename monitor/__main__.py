from monitor.cli import main

# Guarded: parse workers (crawler/parsepool.py) are spawned processes that import the parent's
# main module; they must not run the CLI.
if __name__ == "__main__":
    main()
