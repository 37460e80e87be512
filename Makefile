.PHONY: chat test setup

# Set up everything on a fresh machine and open the terminal chat.
chat:
	scripts/chat.sh

# Set up everything and run every test.
test:
	scripts/test.sh

setup:
	scripts/setup.sh
