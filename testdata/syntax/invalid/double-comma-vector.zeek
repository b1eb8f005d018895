# Two commas in a row in a constructor.
global v = vector(1, , 2);
