/**
 * Package.resolved files of real apps, kept as facts (which package is pinned where, at which
 * release or branch and revision, in which format) rather than as copies of the files. A test
 * writes the file in Xcode's own layout from these facts into its temporary app folder.
 */

/** One pin: what SwiftPM records for a package. Exactly one of `version` and `branch`. */
export interface PinFact {
  readonly identity: string;
  readonly location: string;
  readonly revision: string;
  readonly version?: string;
  readonly branch?: string;
}

/** A whole Package.resolved as facts; `originHash` only in format 3. */
export interface ResolvedFacts {
  readonly origin: string;
  readonly formatVersion: 2 | 3;
  readonly originHash?: string;
  readonly pins: readonly PinFact[];
}

const pin = (identity: string, location: string, revision: string, version: string): PinFact => ({ identity, location, revision, version });

/**
 * mlx-swift-examples at 44b14cf3194961f7443cb4d836a55f43020ee3b8 (the last VLMEval),
 * mlx-swift-examples.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved: format 3,
 * mlx-swift 0.29.1 and mlx-swift-lm 2.29.2.
 */
export const VLMEVAL_44B14CF: ResolvedFacts = {
  origin: 'ml-explore/mlx-swift-examples 44b14cf, mlx-swift-examples.xcodeproj/.../Package.resolved',
  formatVersion: 3,
  originHash: '0dd305f09ba278569849d2b91cb2ef7a95956604f60ef1c3013f0e7b4b61d1a7',
  pins: [
    pin('gzipswift', 'https://github.com/1024jp/GzipSwift', '731037f6cc2be2ec01562f6597c1d0aa3fe6fd05', '6.0.1'),
    pin('mlx-swift', 'https://github.com/ml-explore/mlx-swift', '072b684acaae80b6a463abab3a103732f33774bf', '0.29.1'),
    pin('mlx-swift-lm', 'https://github.com/ml-explore/mlx-swift-lm', '01852971866b17889f7aff27500cc62d9148b0df', '2.29.2'),
    pin('networkimage', 'https://github.com/gonzalezreal/NetworkImage', '2849f5323265386e200484b0d0f896e73c3411b9', '6.0.1'),
    pin('progress.swift', 'https://github.com/jkandzi/Progress.swift', 'fed6598735d7982058690acf8f52a0a5fdaeb3e0', '0.4.0'),
    pin('swift-argument-parser', 'https://github.com/apple/swift-argument-parser.git', 'cdd0ef3755280949551dc26dee5de9ddeda89f54', '1.6.2'),
    pin('swift-async-algorithms', 'https://github.com/apple/swift-async-algorithms.git', '042e1c4d9d19748c9c228f8d4ebc97bb1e339b0b', '1.0.4'),
    pin('swift-cmark', 'https://github.com/swiftlang/swift-cmark', 'b97d09472e847a416629f026eceae0e2afcfad65', '0.7.0'),
    pin('swift-collections', 'https://github.com/apple/swift-collections.git', '7b847a3b7008b2dc2f47ca3110d8c782fb2e5c7e', '1.3.0'),
    pin('swift-jinja', 'https://github.com/huggingface/swift-jinja.git', 'c1ef5963ba4a97a589b9c9583ff4ee3352a86d23', '2.1.0'),
    pin('swift-markdown-ui', 'https://github.com/gonzalezreal/swift-markdown-ui', '5f613358148239d0292c0cef674a3c2314737f9e', '2.4.1'),
    pin('swift-numerics', 'https://github.com/apple/swift-numerics', '0c0290ff6b24942dadb83a929ffaaa1481df04a2', '1.1.1'),
    pin('swift-transformers', 'https://github.com/huggingface/swift-transformers', '94610577e4af9bbc267060af1e25e977604dd796', '1.1.1'),
  ],
};

/**
 * mlx-swift-examples at c6844888f4ace8ffb6029f4fbfa317339e420eab (January 2026, "switch to mlx-swift
 * 0.30.2"), mlx-swift-examples.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved:
 * format 3, mlx-swift 0.30.3 and mlx-swift-lm 2.30.3, releases with MLX.Memory.
 */
export const EXAMPLES_C684488: ResolvedFacts = {
  origin: 'ml-explore/mlx-swift-examples c684488, mlx-swift-examples.xcodeproj/.../Package.resolved',
  formatVersion: 3,
  originHash: 'b63947dc4e7cd2d22b1d663a82e277f552af0e8ad0add299d9dec61ceaf8fed0',
  pins: [
    pin('gzipswift', 'https://github.com/1024jp/GzipSwift', '731037f6cc2be2ec01562f6597c1d0aa3fe6fd05', '6.0.1'),
    pin('mlx-swift', 'https://github.com/ml-explore/mlx-swift', '4dccaeda1d83cf8697f235d2786c2d72ad4bb925', '0.30.3'),
    pin('mlx-swift-lm', 'https://github.com/ml-explore/mlx-swift-lm', '360c5052b81cc154b04ee0933597a4ad6db4b8ae', '2.30.3'),
    pin('networkimage', 'https://github.com/gonzalezreal/NetworkImage', '2849f5323265386e200484b0d0f896e73c3411b9', '6.0.1'),
    pin('progress.swift', 'https://github.com/jkandzi/Progress.swift', 'fed6598735d7982058690acf8f52a0a5fdaeb3e0', '0.4.0'),
    pin('swift-argument-parser', 'https://github.com/apple/swift-argument-parser.git', 'cdd0ef3755280949551dc26dee5de9ddeda89f54', '1.6.2'),
    pin('swift-cmark', 'https://github.com/swiftlang/swift-cmark', '5d9bdaa4228b381639fff09403e39a04926e2dbe', '0.7.1'),
    pin('swift-collections', 'https://github.com/apple/swift-collections.git', '7b847a3b7008b2dc2f47ca3110d8c782fb2e5c7e', '1.3.0'),
    pin('swift-jinja', 'https://github.com/huggingface/swift-jinja.git', '06a511d5adab5a812852ff972e65702a24b8ce30', '2.2.0'),
    pin('swift-markdown-ui', 'https://github.com/gonzalezreal/swift-markdown-ui', '5f613358148239d0292c0cef674a3c2314737f9e', '2.4.1'),
    pin('swift-numerics', 'https://github.com/apple/swift-numerics', '0c0290ff6b24942dadb83a929ffaaa1481df04a2', '1.1.1'),
    pin('swift-transformers', 'https://github.com/huggingface/swift-transformers', '573e5c9036c2f136b3a8a071da8e8907322403d0', '1.1.6'),
  ],
};

/**
 * mlx-swift-examples at 378f2449c257788c5067b9f8b086731d76b39b33 (mlx-swift-lm 3.x: LLMEval and
 * MLXChatExample), mlx-swift-examples.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved:
 * format 3, mlx-swift 0.31.4 and mlx-swift-lm 3.31.3, with swift-huggingface and swift-transformers
 * added by the app (3.x no longer brings them).
 */
export const EXAMPLES_378F244: ResolvedFacts = {
  origin: 'ml-explore/mlx-swift-examples 378f244, mlx-swift-examples.xcodeproj/.../Package.resolved',
  formatVersion: 3,
  originHash: 'e538f345418093ec944f6af6ff98e1b0c1e736fb7c1f52379fbcf33a8ac26084',
  pins: [
    pin('eventsource', 'https://github.com/mattt/EventSource.git', 'a3a85a85214caf642abaa96ae664e4c772a59f6e', '1.4.1'),
    pin('gzipswift', 'https://github.com/1024jp/GzipSwift', '731037f6cc2be2ec01562f6597c1d0aa3fe6fd05', '6.0.1'),
    pin('mlx-swift', 'https://github.com/ml-explore/mlx-swift', 'dc43e62d7055353c7f99fa071a4e71d29dfddc44', '0.31.4'),
    pin('mlx-swift-lm', 'https://github.com/ml-explore/mlx-swift-lm.git', '1c05248bb0899e2a7a4962b84d319cf12f4e12aa', '3.31.3'),
    pin('networkimage', 'https://github.com/gonzalezreal/NetworkImage', '2849f5323265386e200484b0d0f896e73c3411b9', '6.0.1'),
    pin('progress.swift', 'https://github.com/jkandzi/Progress.swift', 'fed6598735d7982058690acf8f52a0a5fdaeb3e0', '0.4.0'),
    pin('swift-argument-parser', 'https://github.com/apple/swift-argument-parser.git', 'cdd0ef3755280949551dc26dee5de9ddeda89f54', '1.6.2'),
    pin('swift-asn1', 'https://github.com/apple/swift-asn1.git', '9f542610331815e29cc3821d3b6f488db8715517', '1.6.0'),
    pin('swift-atomics', 'https://github.com/apple/swift-atomics.git', 'b601256eab081c0f92f059e12818ac1d4f178ff7', '1.3.0'),
    pin('swift-cmark', 'https://github.com/swiftlang/swift-cmark', '5d9bdaa4228b381639fff09403e39a04926e2dbe', '0.7.1'),
    pin('swift-collections', 'https://github.com/apple/swift-collections.git', '7b847a3b7008b2dc2f47ca3110d8c782fb2e5c7e', '1.3.0'),
    pin('swift-crypto', 'https://github.com/apple/swift-crypto.git', 'fa308c07a6fa04a727212d793e761460e41049c3', '4.3.0'),
    pin('swift-huggingface', 'https://github.com/huggingface/swift-huggingface.git', 'b721959445b617d0bf03910b2b4aced345fd93bf', '0.9.0'),
    pin('swift-jinja', 'https://github.com/huggingface/swift-jinja.git', 'd81197f35f41445bc10e94600795e68c6f5e94b0', '2.3.1'),
    pin('swift-markdown-ui', 'https://github.com/gonzalezreal/swift-markdown-ui', '5f613358148239d0292c0cef674a3c2314737f9e', '2.4.1'),
    pin('swift-nio', 'https://github.com/apple/swift-nio.git', 'bdf004b44f77c56fca752cd1cf243c802f8469c9', '2.97.0'),
    pin('swift-numerics', 'https://github.com/apple/swift-numerics', '0c0290ff6b24942dadb83a929ffaaa1481df04a2', '1.1.1'),
    pin('swift-syntax', 'https://github.com/swiftlang/swift-syntax.git', '0687f71944021d616d34d922343dcef086855920', '600.0.1'),
    pin('swift-system', 'https://github.com/apple/swift-system.git', '7c6ad0fc39d0763e0b699210e4124afd5041c5df', '1.6.4'),
    pin('swift-transformers', 'https://github.com/huggingface/swift-transformers', 'b38443e44d93eca770f2eb68e2a4d0fa100f9aa2', '1.3.0'),
    pin('yyjson', 'https://github.com/ibireme/yyjson.git', '8b4a38dc994a110abaec8a400615567bd996105f', '0.12.0'),
  ],
};

/**
 * mlx-swift-examples at 0af2efe8a04d11a7c01616e560a3bd67ac38f246 (March 2024), the same path:
 * format 2, mlx-swift pinned to the branch `main` at a revision, with no release.
 */
export const EXAMPLES_0AF2EFE: ResolvedFacts = {
  origin: 'ml-explore/mlx-swift-examples 0af2efe, mlx-swift-examples.xcodeproj/.../Package.resolved',
  formatVersion: 2,
  pins: [
    pin('gzipswift', 'https://github.com/1024jp/GzipSwift', '731037f6cc2be2ec01562f6597c1d0aa3fe6fd05', '6.0.1'),
    { identity: 'mlx-swift', location: 'https://github.com/ml-explore/mlx-swift', revision: '948000ceaa27c343f4dd5ce40f727f221bf45c6e', branch: 'main' },
    pin('swift-argument-parser', 'https://github.com/apple/swift-argument-parser.git', 'c8ed701b513cf5177118a175d85fbbbcd707ab41', '1.3.0'),
    pin('swift-async-algorithms', 'https://github.com/apple/swift-async-algorithms', 'da4e36f86544cdf733a40d59b3a2267e3a7bbf36', '1.0.0'),
    pin('swift-collections', 'https://github.com/apple/swift-collections.git', '94cf62b3ba8d4bed62680a282d4c25f9c63c2efb', '1.1.0'),
    pin('swift-numerics', 'https://github.com/apple/swift-numerics', '0a5bc04095a675662cf24757cc0640aa2204253b', '1.0.2'),
    { identity: 'swift-transformers', location: 'https://github.com/huggingface/swift-transformers', revision: '24605a8c0cc974bec5b94a6752eb687bae77db31', branch: 'main' },
  ],
};

/**
 * huggingface/HuggingSnap at 88aafba3354775ffac174bc44535f8908b8a679a (March 2025),
 * HuggingSnap.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved: format 3,
 * mlx-swift 0.21.3 and no mlx-swift-lm: MLXLMCommon and MLXVLM come from a fork of
 * mlx-swift-examples pinned to its branch `main`, as in every app that took them from
 * mlx-swift-examples (up to mid-2025).
 */
export const HUGGINGSNAP_88AAFBA: ResolvedFacts = {
  origin: 'huggingface/HuggingSnap 88aafba, HuggingSnap.xcodeproj/.../Package.resolved',
  formatVersion: 3,
  originHash: 'd15e58060b7ff28e3c910d044f93d6a52066f9213608fe9584ed6c1e9fceb294',
  pins: [
    pin('gzipswift', 'https://github.com/1024jp/GzipSwift', '731037f6cc2be2ec01562f6597c1d0aa3fe6fd05', '6.0.1'),
    pin('jinja', 'https://github.com/johnmai-dev/Jinja', 'bbddb92fc51ae420b87300298370fd1dfc308f73', '1.1.1'),
    pin('mlx-swift', 'https://github.com/ml-explore/mlx-swift', 'b990c58153af70eb0914bca7dd74401d341fa9ae', '0.21.3'),
    { identity: 'mlx-swift-examples', location: 'https://github.com/cyrilzakka/mlx-swift-examples', revision: '61a95b957083b73c2a7d19e748530730c242ed7d', branch: 'main' },
    pin('networkimage', 'https://github.com/gonzalezreal/NetworkImage', '2849f5323265386e200484b0d0f896e73c3411b9', '6.0.1'),
    pin('swift-argument-parser', 'https://github.com/apple/swift-argument-parser.git', '0fbc8848e389af3bb55c182bc19ca9d5dc2f255b', '1.4.0'),
    pin('swift-cmark', 'https://github.com/swiftlang/swift-cmark', '3bc2f3e25df0cecc5dc269f7ccae65d0f386f06a', '0.4.0'),
    pin('swift-collections', 'https://github.com/apple/swift-collections.git', '671108c96644956dddcd89dd59c203dcdb36cec7', '1.1.4'),
    pin('swift-markdown-ui', 'https://github.com/gonzalezreal/swift-markdown-ui.git', '5f613358148239d0292c0cef674a3c2314737f9e', '2.4.1'),
    pin('swift-numerics', 'https://github.com/apple/swift-numerics', '0a5bc04095a675662cf24757cc0640aa2204253b', '1.0.2'),
    pin('swift-transformers', 'https://github.com/huggingface/swift-transformers', '55710ddfb1ae804b4b7ce973be75cf2e41272185', '0.1.17'),
  ],
};

const quoted = (text: string) => JSON.stringify(text);

/**
 * The file as Xcode and `swift package resolve` write it: two-space indentation, `"key" : value`,
 * keys in sorted order, a pin's `state` with `branch`/`revision`/`version`, and a final newline.
 */
export function packageResolvedText(facts: ResolvedFacts): string {
  const pins = facts.pins.map((entry) => {
    const state = [
      ...(entry.branch === undefined ? [] : [`"branch" : ${quoted(entry.branch)}`]),
      `"revision" : ${quoted(entry.revision)}`,
      ...(entry.version === undefined ? [] : [`"version" : ${quoted(entry.version)}`]),
    ];
    return [
      '    {',
      `      "identity" : ${quoted(entry.identity)},`,
      '      "kind" : "remoteSourceControl",',
      `      "location" : ${quoted(entry.location)},`,
      '      "state" : {',
      state.map((line) => `        ${line}`).join(',\n'),
      '      }',
      '    }',
    ].join('\n');
  });
  const head = facts.originHash === undefined ? [] : [`  "originHash" : ${quoted(facts.originHash)},`];
  return ['{', ...head, '  "pins" : [', pins.join(',\n'), '  ],', `  "version" : ${facts.formatVersion}`, '}', ''].join('\n');
}
