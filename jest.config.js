// Unit suites need nothing outside this process; integration and e2e suites
// start the real testbed (sshd, fleet hosts) on one Docker engine that the
// global setup starts for the whole run. They run one at a time: the fault
// tests race real processes on the hosts (a killed session's `compose up`),
// and a second file on the two cores changes who wins.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    tsconfig: { module: 'NodeNext', moduleResolution: 'NodeNext', isolatedModules: true }
  }
]

const shared = {
  preset: 'ts-jest/presets/default-esm',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node'
}

const engine = {
  globalSetup: '<rootDir>/testbed/jest-engine-setup.mjs',
  globalTeardown: '<rootDir>/testbed/jest-engine-teardown.mjs'
}

export default {
  verbose: true,
  testTimeout: 180000,
  maxWorkers: 1,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/__tests__/unit/**/*.test.ts',
        '<rootDir>/testbed/__tests__/unit/**/*.test.ts'
      ]
    },
    {
      ...shared,
      displayName: 'integration',
      ...engine,
      testMatch: [
        '<rootDir>/__tests__/integration/**/*.test.ts',
        '<rootDir>/testbed/__tests__/integration/**/*.test.ts'
      ]
    },
    {
      ...shared,
      ...engine,
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts']
    }
  ]
}
