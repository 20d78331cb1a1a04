/**
 * The command-line grammar: the original igvmmeasure's options and
 * descriptions, plus this tool's additions.
 *
 * @module
 */

import type { OptionSpec, ProgramSpec } from "./grammar.ts";
import { ATTESTATION_OPTIONS } from "./attestation_options.ts";
import { PLATFORM_NAMES } from "../measure/measure.ts";

/** `--json`: accepted before the command (global) and after it. */
const JSON_OPTION: OptionSpec = {
  long: "json",
  help: "Print one JSON object on stdout instead of text (shape in docs/json.md)",
};

/** This tool's version. */
export const VERSION = "0.1.0";

/** The whole command line. */
export const PROGRAM: ProgramSpec = {
  name: "igvmmeasure",
  version: VERSION,
  about: "Calculates the launch measurement of an IGVM file and signs it into an SEV-SNP ID block",
  inputHelp: "The filename of the input IGVM file to measure",
  options: [
    { long: "verbose", short: "v", help: "Print verbose output" },
    {
      long: "check-kvm",
      short: "c",
      help: "Check that the IGVM file conforms to QEMU/KVM restrictions",
    },
    {
      long: "platform",
      short: "p",
      value: "PLATFORM",
      help: "Platform to calculate the launch measurement for",
      possible: [...PLATFORM_NAMES].sort(), // the platforms lib/ measures, in clap's order
      defaultValue: "sev-snp",
    },
    {
      long: "semantics",
      value: "SEMANTICS",
      help:
        "Measurement rules for SEV-SNP: coconut (the original igvmmeasure) or openvmm (the igvm " +
        "crate: OpenVMM, OpenHCL, Hyper-V). TDX and VBS always follow the igvm crate",
      possible: ["coconut", "openvmm"],
      defaultValue: "coconut",
    },
    {
      long: "native-zero",
      short: "n",
      help: "Determine how to pages that contain only zeroes in the IGVM file",
    },
    JSON_OPTION,
  ],
  commands: [
    {
      name: "measure",
      about: "Measure the input file and print the measurement to the console",
      options: [
        {
          long: "ignore-idblock",
          short: "i",
          help: "If an ID block is present within the IGVM file then by default an error will be " +
            "generated if the expected measurement differs from the calculated measurement. If this " +
            "option is set then the expected measurement in the ID block is ignored",
        },
        {
          long: "bare",
          short: "b",
          help: "Bare output only, consisting of just the digest as a hex string",
        },
        JSON_OPTION,
      ],
    },
    {
      name: "sign",
      about:
        "Measure the input file and generate a new output file containing a signature suitable " +
        "for the target platform. For SEV-SNP this generates an IGVM_VHT_SNP_ID_BLOCK directive in the " +
        "output file",
      options: [
        {
          long: "output",
          value: "OUTPUT",
          help: "Output filename of the signed IGVM file that will be created",
        },
        {
          long: "id-key",
          value: "ID_KEY",
          help:
            "Filename of the private key that is used to sign the contents of the ID block. For " +
            "SEV-SNP platforms, this should be an ECDSA P-384 key. You can create a key using: " +
            "$ openssl ecparam -name secp384r1 -genkey -noout -out <file>",
        },
        {
          long: "author-key",
          value: "AUTHOR_KEY",
          help:
            "Filename of the author private key that is used to sign the public part of the id_key. " +
            "For SEV-SNP platforms, this should be an ECDSA P-384 key. The author key is optional",
        },
        {
          long: "family-id",
          value: "HEX",
          help: "FAMILY_ID of the ID block: up to 16 bytes of hex [default: zero]",
        },
        {
          long: "image-id",
          value: "HEX",
          help: "IMAGE_ID of the ID block: up to 16 bytes of hex [default: zero]",
        },
        { long: "guest-svn", value: "N", help: "GUEST_SVN of the ID block [default: 0]" },
        {
          long: "write-id-block",
          value: "FILE",
          help:
            "External signing, step 1: write the 96-byte ID block to be signed by the ID key, and nothing else",
        },
        {
          long: "write-id-key",
          value: "FILE",
          help:
            "External signing, step 1: write the 0x404-byte ID key structure to be signed by the author key " +
            "(needs --id-public-key)",
        },
        {
          long: "id-public-key",
          value: "PEM",
          help: "External signing: the ID key's public key (PEM)",
        },
        {
          long: "id-signature",
          value: "DER",
          help: "External signing, step 2: DER ECDSA signature of the ID block by the ID key",
        },
        {
          long: "author-public-key",
          value: "PEM",
          help: "External signing: the author key's public key (PEM)",
        },
        {
          long: "author-signature",
          value: "DER",
          help:
            "External signing, step 2: DER ECDSA signature of the ID key structure by the author key",
        },
        JSON_OPTION,
      ],
      required: [],
    },
    {
      name: "verify",
      about:
        "Check the SEV-SNP ID block(s) of the input file (LD, ID key and author key signatures) and " +
        "optionally compare an attestation report or an expected digest with the file",
      options: [
        {
          long: "report",
          value: "FILE",
          help:
            "SEV-SNP attestation report (1184 bytes binary, or hex text) to compare with the file. " +
            "With a VCEK/VLEK (--vcek, --certs, --cert-table, --fetch) or a policy option, the report " +
            "is also verified (signature, AMD chain, chip, TCB, policy; see the report command)",
        },
        {
          long: "expect",
          value: "DIGEST",
          help: "Expected launch digest: hex (any case, optional 0x) or base64",
        },
        ...ATTESTATION_OPTIONS,
        JSON_OPTION,
      ],
    },
    {
      name: "inspect",
      about:
        "List the contents of the input file (platforms, policies, memory, VP contexts, ID blocks) " +
        "and its digest for every platform it supports",
      options: [JSON_OPTION],
    },
    {
      name: "report",
      about:
        "Verify the SEV-SNP attestation report given as <INPUT> (instead of an IGVM file): its signature, " +
        "the VCEK/VLEK chain to AMD's root, chip ID, TCB, revocation and policy; prints every field and check",
      options: [...ATTESTATION_OPTIONS, JSON_OPTION],
    },
  ],
};
