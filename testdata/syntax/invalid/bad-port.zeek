# A port number out of range is a scanner error; parsing goes on.
global p = 70000/tcp;
global q = 80/tcp;
