##! Zest's declarations for Zeek 5.2.2's src/const.bif.

# What Zeek declares natively before it parses any script: see that file.
@load ./zest-native

export {

}

module GLOBAL;
