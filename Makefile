.PHONY: chat web test setup

# Set up everything on a fresh machine and open the terminal chat.
chat:
	scripts/chat.sh

# Set up everything, start both servers and serve the web chat page on 127.0.0.1.
web:
	scripts/web.sh

# Set up everything and run every test.
test:
	scripts/test.sh

setup:
	scripts/setup.sh
