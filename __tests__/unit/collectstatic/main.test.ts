import { describe, expect, it } from '@jest/globals'
import { explainFailure, filesCopied } from '../../../src/collectstatic/main.js'

describe('collectstatic', () => {
  it('reads what Django prints', () => {
    expect(filesCopied("\n3 static files copied to '/static', 5 unmodified.\n")).toBe(3)
    expect(filesCopied("1 static file copied to '/static'.")).toBe(1)
    expect(filesCopied("0 static files copied to '/static', 6 unmodified.")).toBe(0)
  })

  it('explains the two usual failures in one line', () => {
    expect(explainFailure("ModuleNotFoundError: No module named 'django'")).toMatch(
      /Django is not importable/
    )
    expect(
      explainFailure(
        "django.core.exceptions.ImproperlyConfigured: You're using the staticfiles app without having set the STATIC_ROOT setting to a filesystem path."
      )
    ).toMatch(/STATIC_ROOT is not set/)
  })
})
